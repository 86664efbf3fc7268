//! `zhanggui serve`: the web back office.

use clap::Args;
use zhanggui_app::demo::DemoOptions;
use zhanggui_app::{App, Lang};
use zhanggui_web::Web;

use crate::{Cli, Failure};

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Fill an empty database with the demo shop first.
    #[arg(long)]
    pub demo: bool,
    /// The password of the manager (店长, login `admin`) created on first start; generated and
    /// printed once when not given.
    #[arg(long, env = "ZHANGGUI_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,
}

pub async fn run(cli: &Cli, args: &ServeArgs, lang: Lang) -> Result<(), Failure> {
    let app = App::open(&cli.database).await.map_err(|e| Failure::store(&e, lang))?;
    let mut company = app.company(cli.company.as_deref()).await.map_err(|e| Failure::store(&e, lang))?;
    if company.is_none() && cli.company.is_none() {
        if args.demo {
            println!("{}", lang.pick("正在生成演示店铺……", "Filling the demo shop..."));
            let summary =
                app.demo(&DemoOptions::default(), &|_, _| {}).await.map_err(|e| Failure::internal(e.to_string()))?;
            println!(
                "{}",
                match lang {
                    Lang::Zh => format!("演示店铺已生成：{} 个店铺，{} 笔订单", summary.shops, summary.trades),
                    Lang::En => format!("The demo shop is ready: {} shops, {} trades", summary.shops, summary.trades),
                }
            );
        } else {
            app.create_company("main", lang.pick("我的公司", "My company"), "Asia/Shanghai")
                .await
                .map_err(|e| Failure::store(&e, lang))?;
        }
        company = app.company(None).await.map_err(|e| Failure::store(&e, lang))?;
    }
    let Some(company) = company else {
        return Err(Failure::bad_input(match lang {
            Lang::Zh => "找不到这个公司".to_string(),
            Lang::En => "no such company".to_string(),
        }));
    };
    if let Some((login, password)) =
        app.first_start(company.id, args.admin_password.as_deref()).await.map_err(|e| Failure::from_error(&e, lang))?
    {
        match lang {
            Lang::Zh => println!("已创建店长账号：用户名 {login}，密码 {password}（只显示这一次，请记下来）"),
            Lang::En => {
                println!("Created the manager account: login {login}, password {password} (shown only this once)")
            }
        }
    }
    let listener = tokio::net::TcpListener::bind(&args.listen).await.map_err(|e| {
        Failure::bad_input(format!("{}{}: {e}", lang.pick("无法监听 ", "cannot listen on "), args.listen))
    })?;
    let addr = listener.local_addr().map_err(|e| Failure::internal(e.to_string()))?;
    match lang {
        Lang::Zh => println!("掌柜后台已启动：打开 http://{addr}/ 登录"),
        Lang::En => println!("zhanggui is serving: open http://{addr}/ and log in"),
    }
    let web = Web { app, zone: zhanggui_app::clock::zone(&company.time_zone) };
    zhanggui_web::serve(listener, web).await.map_err(|e| Failure::internal(e.to_string()))
}
